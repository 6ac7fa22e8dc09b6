"""The product's operations that span several features, above the entity packages.

Each module is one thing a user does: remove a reseller relationship (the seed document) and check whether
it can be removed, offboard a customer or a selection of customers, see a customer's partners. Only these
modules call another feature's service; the features below import each other's models and queries only
(tests/test_architecture.py keeps it so)."""
