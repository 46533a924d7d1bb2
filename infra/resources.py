"""Create Parley's data resources from infra/template.yaml.

Used by the local runtime (against moto's server) and by the integration tests (against
moto in-process): the application always runs against tables and queues made from the same
template that the AWS deployment uses.
"""
from __future__ import annotations

import os
from pathlib import Path

TEMPLATE = Path(__file__).with_name("template.yaml")

# stack output -> environment variable the app reads (chalicelib/config.py)
OUTPUT_ENV = {
    "VisitorsTableName": "PARLEY_TABLE_VISITORS",
    "ConversationsTableName": "PARLEY_TABLE_CONVERSATIONS",
    "MessagesTableName": "PARLEY_TABLE_MESSAGES",
    "ConnectionsTableName": "PARLEY_TABLE_CONNECTIONS",
    "AgentsTableName": "PARLEY_TABLE_AGENTS",
    "SitesTableName": "PARLEY_TABLE_SITES",
    "KeysTableName": "PARLEY_TABLE_KEYS",
    "KbTableName": "PARLEY_TABLE_KB",
    "DirectoryTableName": "PARLEY_TABLE_DIRECTORY",
    "AuditTableName": "PARLEY_TABLE_AUDIT",
    "ReportsTableName": "PARLEY_TABLE_REPORTS",
    "QaTableName": "PARLEY_TABLE_QA",
    "IntegrationsTableName": "PARLEY_TABLE_INTEGRATIONS",
    "TicketsTableName": "PARLEY_TABLE_TICKETS",
    "ContactsTableName": "PARLEY_TABLE_CONTACTS",
    "AssignmentQueueName": "PARLEY_ASSIGNMENT_QUEUE",
    "AssignmentQueueUrl": "PARLEY_ASSIGNMENT_QUEUE_URL",
    "EventsQueueName": "PARLEY_EVENTS_QUEUE",
    "EventsQueueUrl": "PARLEY_EVENTS_QUEUE_URL",
    "ConversationsTableStreamArn": "PARLEY_CONVERSATIONS_STREAM_ARN",
    "MessagesTableStreamArn": "PARLEY_MESSAGES_STREAM_ARN",
    "TicketsTableStreamArn": "PARLEY_TICKETS_STREAM_ARN",
    "ContactsTableStreamArn": "PARLEY_CONTACTS_STREAM_ARN",
    "ConversationEventsTopicArn": "PARLEY_EVENT_TOPIC_ARN",
    "ReportsConsumerQueueName": "PARLEY_CONSUMER_REPORTS_QUEUE",
    "QaConsumerQueueName": "PARLEY_CONSUMER_QA_QUEUE",
    "WebhooksConsumerQueueName": "PARLEY_CONSUMER_WEBHOOKS_QUEUE",
    "WebhookDeliveryQueueName": "PARLEY_WEBHOOK_DELIVERY_QUEUE",
    "WebhookDeliveryQueueUrl": "PARLEY_WEBHOOK_DELIVERY_QUEUE_URL",
    "ContactsConsumerQueueName": "PARLEY_CONSUMER_CONTACTS_QUEUE",
    "AttachmentsBucketName": "PARLEY_ATTACHMENTS_BUCKET",
    "MailBucketName": "PARLEY_MAIL_BUCKET",
    "MailQueueName": "PARLEY_MAIL_QUEUE",
    "RecordsConsumerQueueName": "PARLEY_CONSUMER_RECORDS_QUEUE",
    "ArchiveBucketName": "PARLEY_ARCHIVE_BUCKET",
    "TokenSecretArn": "PARLEY_TOKEN_SECRET_ARN",
}


def deploy_stack(session=None, stage: str = "dev", stack_name: str | None = None,
                 endpoint_url: str | None = None) -> dict:
    """Create (or reuse) the data stack; return its outputs as a dict."""
    import boto3

    session = session or boto3.session.Session()
    cfn = session.client("cloudformation", endpoint_url=endpoint_url)
    name = stack_name or f"parley-{stage}-data"
    try:
        desc = cfn.describe_stacks(StackName=name)["Stacks"][0]
    except cfn.exceptions.ClientError:
        cfn.create_stack(StackName=name, TemplateBody=TEMPLATE.read_text(),
                         Parameters=[{"ParameterKey": "Stage", "ParameterValue": stage}],
                         Capabilities=["CAPABILITY_IAM"])
        cfn.get_waiter("stack_create_complete").wait(
            StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
        desc = cfn.describe_stacks(StackName=name)["Stacks"][0]
        _apply_ttl(session, endpoint_url, stage)
        outputs = {o["OutputKey"]: o["OutputValue"] for o in desc.get("Outputs", [])}
        _apply_subscriptions(session, endpoint_url, stage, outputs)
    return {o["OutputKey"]: o["OutputValue"] for o in desc.get("Outputs", [])}


def outputs_to_env(outputs: dict) -> dict:
    return {env: outputs[key] for key, env in OUTPUT_ENV.items() if key in outputs}


def apply_env(outputs: dict) -> dict:
    env = outputs_to_env(outputs)
    os.environ.update(env)
    return env


def load_template(path: Path | None = None) -> dict:
    """A template as data (CloudFormation's short tags kept as {"Tag": value})."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def _tag(loader, suffix, node):
        if isinstance(node, yaml.ScalarNode):
            return {suffix: loader.construct_scalar(node)}
        if isinstance(node, yaml.SequenceNode):
            return {suffix: loader.construct_sequence(node, deep=True)}
        return {suffix: loader.construct_mapping(node, deep=True)}

    Loader.add_multi_constructor("!", _tag)
    return yaml.load((path or TEMPLATE).read_text(), Loader=Loader)


def table_name(props: dict, stage: str) -> str:
    name = props["TableName"]
    if isinstance(name, dict):
        name = name["Sub"].replace("${Stage}", stage)
    return name


def _apply_ttl(session, endpoint_url, stage) -> None:
    """moto's CloudFormation ignores TimeToLiveSpecification: apply it the way AWS would."""
    ddb = session.client("dynamodb", endpoint_url=endpoint_url)
    for res in load_template()["Resources"].values():
        if res["Type"] != "AWS::DynamoDB::Table":
            continue
        spec = res["Properties"].get("TimeToLiveSpecification")
        if not spec:
            continue
        name = table_name(res["Properties"], stage)
        current = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if current.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
            continue
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={
            "AttributeName": spec["AttributeName"], "Enabled": True})


def _apply_subscriptions(session, endpoint_url, stage, outputs: dict) -> None:
    """moto's CloudFormation ignores AWS::SNS::Subscription (and queue policies, which moto
    does not enforce): subscribe each consumer queue to the topic the way AWS would, once."""
    subs = [res["Properties"] for res in load_template()["Resources"].values()
            if res["Type"] == "AWS::SNS::Subscription"]
    if not subs:
        return
    sns = session.client("sns", endpoint_url=endpoint_url)
    topic = outputs["ConversationEventsTopicArn"]
    existing = {s["Endpoint"] for s in sns.list_subscriptions_by_topic(
        TopicArn=topic).get("Subscriptions", [])}
    for props in subs:
        logical = props["Endpoint"]["GetAtt"].split(".")[0]
        arn = outputs[f"{logical}Arn"]
        if arn not in existing:
            sns.subscribe(TopicArn=topic, Protocol=props["Protocol"], Endpoint=arn,
                          Attributes={"RawMessageDelivery":
                                      str(props.get("RawMessageDelivery", False)).lower()})


_serialized = False


def serialize_moto_dynamodb() -> None:
    """Make moto's DynamoDB handle one request at a time, as DynamoDB's per-item isolation
    would appear to clients.

    moto applies TransactWriteItems step by step and rolls a failed one back by restoring a
    copy of whole tables, which silently undoes other threads' writes made in between. Real
    DynamoDB transactions are isolated; serialising moto's DynamoDB requests restores that
    guarantee for the local runtime and the tests (clients still race freely)."""
    global _serialized
    if _serialized:
        return
    import threading

    from moto.dynamodb.responses import DynamoHandler

    lock = threading.RLock()
    original = DynamoHandler.call_action

    def call_action(self):
        with lock:
            return original(self)

    DynamoHandler.call_action = call_action
    # and make its transactions cost what they touch, not what the tables hold
    from infra import moto_costs
    moto_costs.install()
    _serialized = True
