"""Personal data over its whole life: retention, erasure and export of one customer, and
the audit of who read it. Above every domain that holds personal data, so it can call each
one's own `personal_data` service; none of them knows about the others."""
