"""The CloudFormation templates: lint-clean, deployable into moto, and in step with the
PynamoDB models (tables, key schemas, GSIs, attribute types) and the Chalice stage."""
import subprocess
import sys
from pathlib import Path


from infra import deploy

ROOT = Path(__file__).resolve().parents[2]
CFN_LINT = Path(sys.executable).with_name("cfn-lint")
TEMPLATES = sorted((ROOT / "infra").glob("*.yaml"))


def cfn_lint(*paths, ignore=()):
    cmd = [str(CFN_LINT)] + [str(p) for p in paths]
    if ignore:
        cmd += ["--ignore-checks", *ignore]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=240)


def load(path: Path) -> dict:
    from infra.resources import load_template
    return load_template(path)


def test_templates_are_cfn_lint_clean():
    assert {p.name for p in TEMPLATES} >= {"template.yaml", "hosting.yaml"}
    result = cfn_lint(*TEMPLATES)
    assert result.returncode == 0, result.stdout + result.stderr


# ------------------------------------------------------------------ data stack vs. models
ATTR_TYPES = {"S": "S", "N": "N", "B": "B"}


def _key_schema(model_or_index_attrs):
    hash_key = range_key = None
    for name, attr in model_or_index_attrs.items():
        if getattr(attr, "is_hash_key", False):
            hash_key = (attr.attr_name, attr.attr_type)
        if getattr(attr, "is_range_key", False):
            range_key = (attr.attr_name, attr.attr_type)
    return hash_key, range_key


def model_schemas():
    from chalicelib.adapters import models
    out = {}
    for model in models.ALL_MODELS:
        hash_key, range_key = _key_schema(model.get_attributes())
        assert model._hash_keyname == hash_key[0]
        indexes = {}
        for index in model._indexes.values():
            ih, ir = _key_schema(index.Meta.attributes)
            proj = type(index.Meta.projection).__name__
            indexes[index.Meta.index_name] = {
                "hash": ih, "range": ir,
                "projection": {"AllProjection": "ALL", "KeysOnlyProjection": "KEYS_ONLY",
                               "IncludeProjection": "INCLUDE"}[proj]}
        ttl = [a.attr_name for a in model.get_attributes().values()
               if type(a).__name__ == "TTLAttribute"]
        out[model.Meta.table_name] = {"hash": hash_key, "range": range_key, "indexes": indexes,
                                      "ttl": ttl[0] if ttl else None}
    return out


def table_schema(desc: dict) -> dict:
    types = {a["AttributeName"]: a["AttributeType"] for a in desc["AttributeDefinitions"]}

    def keys(schema):
        h = [k["AttributeName"] for k in schema if k["KeyType"] == "HASH"]
        r = [k["AttributeName"] for k in schema if k["KeyType"] == "RANGE"]
        return ((h[0], types[h[0]]) if h else None), ((r[0], types[r[0]]) if r else None)

    hash_key, range_key = keys(desc["KeySchema"])
    indexes = {}
    for gsi in desc.get("GlobalSecondaryIndexes", []):
        ih, ir = keys(gsi["KeySchema"])
        indexes[gsi["IndexName"]] = {"hash": ih, "range": ir,
                                     "projection": gsi["Projection"]["ProjectionType"]}
    assert not desc.get("LocalSecondaryIndexes")
    return {"hash": hash_key, "range": range_key, "indexes": indexes}


def test_data_stack_in_moto_matches_the_pynamodb_models(aws):
    import boto3
    ddb = boto3.client("dynamodb")
    expected = model_schemas()
    deployed = {}
    for name in ddb.list_tables()["TableNames"]:
        desc = ddb.describe_table(TableName=name)["Table"]
        deployed[name] = table_schema(desc)
        assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        deployed[name]["ttl"] = (ttl.get("AttributeName")
                                 if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
                                 else None)
    assert deployed == expected


def test_data_stack_queues_have_dead_letter_queues(aws):
    import json

    import boto3
    sqs = boto3.client("sqs")
    for main, dlq in (("AssignmentQueueUrl", "AssignmentDLQUrl"),
                      ("EventsQueueUrl", "EventsDLQUrl")):
        attrs = sqs.get_queue_attributes(QueueUrl=aws[main], AttributeNames=["All"])["Attributes"]
        redrive = json.loads(attrs["RedrivePolicy"])
        dlq_arn = sqs.get_queue_attributes(QueueUrl=aws[dlq], AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        assert redrive["deadLetterTargetArn"] == dlq_arn
        assert int(redrive["maxReceiveCount"]) == 5
        dlq_attrs = sqs.get_queue_attributes(QueueUrl=aws[dlq],
                                             AttributeNames=["All"])["Attributes"]
        assert "RedrivePolicy" not in dlq_attrs
        assert int(dlq_attrs["MessageRetentionPeriod"]) == 14 * 24 * 3600


def test_placeholder_outputs_cover_the_real_output_names(aws):
    """The committed .chalice placeholders are written from the same output names the stack
    has (moto cannot create the secret: its output is absent there)."""
    fake = deploy.placeholder_outputs("dev")
    assert set(aws) - {"TokenSecretArn"} <= set(fake)
    for key, value in aws.items():
        if key.endswith(("TableName", "QueueName")):
            assert fake[key] == value, key


# ---------------------------------------------------------------------------- hosting
HOSTING = load(ROOT / "infra" / "hosting.yaml")
RES = HOSTING["Resources"]


def test_hosting_bucket_is_private_and_readable_only_by_the_distribution():
    bucket = RES["WebBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    origin = RES["Distribution"]["Properties"]["DistributionConfig"]["Origins"][0]
    assert origin["OriginAccessControlId"] == {"GetAtt": "WebOriginAccessControl.Id"}
    assert origin["S3OriginConfig"]["OriginAccessIdentity"] == ""
    oac = RES["WebOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert oac["SigningBehavior"] == "always" and oac["OriginAccessControlOriginType"] == "s3"
    statements = RES["WebBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert len(allows) == 1
    allow = allows[0]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    source = allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Sub"]
    assert source.endswith(":distribution/${Distribution}")
    behaviour = RES["Distribution"]["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"


def _alarms():
    return [r["Properties"] for r in RES.values() if r["Type"] == "AWS::CloudWatch::Alarm"]


def _dim(alarm, name):
    for d in alarm["Dimensions"]:
        if d["Name"] == name:
            v = d["Value"]
            return v["Sub"] if isinstance(v, dict) and "Sub" in v else v
    return None


def test_alarms_cover_both_dlqs():
    data = load(ROOT / "infra" / "template.yaml")["Resources"]
    dlqs = {r["Properties"]["QueueName"]["Sub"] for k, r in data.items()
            if r["Type"] == "AWS::SQS::Queue" and "RedrivePolicy" not in r["Properties"]}
    watched = {_dim(a, "QueueName") for a in _alarms()
               if a["MetricName"] == "ApproximateNumberOfMessagesVisible"}
    assert dlqs and dlqs == watched


def test_alarms_cover_every_chalice_function_in_every_stage():
    config = deploy.load_config()
    functions = {f for s in config["stages"].values() for f in s.get("lambda_functions", {})}
    for metric in ("Errors", "Throttles"):
        names = {_dim(a, "FunctionName") for a in _alarms() if a["MetricName"] == metric}
        for f in functions:
            lam = "parley-${Stage}" if f == "api_handler" else f"parley-${{Stage}}-{f}"
            assert lam in names, (metric, f)
    api = [a for a in _alarms() if a["MetricName"] == "5XXError"]
    assert len(api) == 1 and _dim(api[0], "ApiName") == {"Ref": "RestApiName"}
    assert HOSTING["Parameters"]["RestApiStage"]["Default"] == config["api_gateway_stage"]
    assert HOSTING["Parameters"]["RestApiName"]["Default"] == config["app_name"]
    for alarm in _alarms():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_hosting_outputs_are_what_publish_web_reads():
    assert {"WebBucketName", "DistributionId", "DistributionDomainName"} <= set(HOSTING["Outputs"])
