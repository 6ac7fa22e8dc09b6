"""The operator's catalog of offers that partners order from."""
