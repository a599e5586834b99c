"""How comments arrive: Meta webhooks, Graph API polling, files and the generic webhook."""
