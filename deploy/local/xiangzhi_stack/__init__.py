"""The local stack: Apache Kafka (KRaft) and PostgreSQL started natively, then the services."""
