"""The gateway's defaults, apart so that `gbus --help` names them without importing grpc."""

# The demo of `make run`: the Ho Chi Minh City People's Committee runs a citizen app.
DEMO_AGENCY = "gov.ubnd@79"
DEFAULT_CHANNEL = "app_cong_dan"
