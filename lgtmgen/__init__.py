"""lgtmgen: compile a service catalog into a checked LGTM-stack configuration bundle."""

__version__ = "0.1.0"
