"""Safety: masking personal data before it is stored in the masked copy, logged or analysed."""
