# Deployment targets for Parley. Included from the main Makefile:
#     include infra/deploy.mk
# Logic lives in infra/deploy.py (tested offline on moto); see docs/deployment.md.
#
#   make deploy-infra STAGE=dev [ALARM_EMAIL=ops@example.com] [ALLOWED_ORIGINS=https://shop.example]
#   make deploy-config STAGE=dev [SES_SENDER=support@example.com]
#   make deploy-app STAGE=dev
#   make deploy-throttling STAGE=dev     # API Gateway throttling (infra/throttling.json)
#   make publish-web STAGE=dev SITE_KEY=demo
#   make rotate-token-secret STAGE=dev   # every 30 days (docs/deployment.md)
#   make bootstrap-admin STAGE=dev EMAIL=admin@example.com [NAME="Ada Admin"]
#   make destroy STAGE=dev CONFIRM=dev [DATA=1]
#   make deploy STAGE=dev SITE_KEY=demo      # the five steps above in order

STAGE ?= dev
BIN ?= .venv/bin
ALARM_EMAIL ?=
ALLOWED_ORIGINS ?= *
SITE_KEY ?=
NAME ?= Admin
CONFIRM ?=
SES_SENDER ?=
DATA ?=
DEPLOY = $(BIN)/python -m infra.deploy

.PHONY: deploy deploy-infra deploy-config deploy-app deploy-throttling publish-web bootstrap-admin destroy rotate-token-secret

deploy: deploy-infra deploy-config deploy-app deploy-throttling publish-web

deploy-infra:
	$(DEPLOY) deploy-infra --stage $(STAGE) --alarm-email "$(ALARM_EMAIL)" --allowed-origins "$(ALLOWED_ORIGINS)"

deploy-config:
	$(DEPLOY) write-stage --stage $(STAGE) $(if $(SES_SENDER),--ses-sender "$(SES_SENDER)")

deploy-app:
	$(DEPLOY) deploy-app --stage $(STAGE)

deploy-throttling:
	$(DEPLOY) apply-throttling --stage $(STAGE)

publish-web:
	$(DEPLOY) publish-web --stage $(STAGE) $(if $(SITE_KEY),--site-key "$(SITE_KEY)")

rotate-token-secret:
	$(DEPLOY) rotate-token-secret --stage $(STAGE)

bootstrap-admin:
	@test -n "$(EMAIL)" || (echo "usage: make bootstrap-admin STAGE=dev EMAIL=you@example.com [NAME=...]"; exit 2)
	$(DEPLOY) bootstrap-admin --stage $(STAGE) --email "$(EMAIL)" --name "$(NAME)"

destroy:
	$(DEPLOY) destroy --stage $(STAGE) --yes "$(CONFIRM)" $(if $(DATA),--data)
