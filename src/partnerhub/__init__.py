"""partnerhub: partner ↔ customer relationships for cloud resellers, shaped like Partner Center."""

__version__ = "0.1.0"
