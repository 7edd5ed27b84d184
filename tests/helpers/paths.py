"""Where the repository and the integration's sources are."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
INTEGRATION = REPO / "custom_components" / "slack_webhook"
