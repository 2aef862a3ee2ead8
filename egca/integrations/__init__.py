"""Integrations of EGCA's credit with RL frameworks other than TRL (`egca.integrations.verl`)."""
