-- Events a projection could not apply after its retries: parked here (and on <group>.dlq),
-- listed and replayed by an operator. One row per projection and event, whatever the redeliveries.
create table projection_failures (
    id            bigserial primary key,
    projection    text not null,
    event_id      uuid not null,
    event_type    text,
    source        text,
    village       char(12),
    chainseq      bigint,
    topic         text not null,
    kafka_partition int not null,
    kafka_offset  bigint not null,
    key           bytea,
    value         bytea not null,
    headers       jsonb not null,
    error         text not null,
    attempts      int not null,
    status        text not null default 'parked' check (status in ('parked', 'replayed', 'rebuilt')),
    parked_at     timestamptz not null default now(),
    resolved_at   timestamptz,
    unique (projection, event_id)
);

create index projection_failures_open on projection_failures (projection) where status = 'parked';
