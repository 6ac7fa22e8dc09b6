"""Orders placed by a partner on behalf of a customer; each line item creates a subscription."""
