"""Channel adapters: how customers reach wowdesk besides the web chat (mail, messengers,
calls). The top domain layer: adapters call into every domain below them."""
