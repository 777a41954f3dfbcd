-- The event store: append-only events with a per-village hash chain, and the outbox.
create table events (
    position     bigserial primary key,
    event_id     uuid not null unique,
    stream_id    text not null,
    version      int not null check (version >= 1),
    village      char(12) not null,
    type         text not null,
    data         jsonb not null,
    meta         jsonb not null,
    recorded_at  timestamptz not null,
    chain_seq    bigint not null check (chain_seq >= 1),
    prev_hash    char(64) not null,
    hash         char(64) not null,
    -- The optimistic-concurrency check: two appends of one stream version cannot both land.
    unique (stream_id, version),
    unique (village, chain_seq)
);

-- The head of each village's chain; appends lock this row, which serialises one village's
-- appends and so fixes its commit order.
create table chain_heads (
    village    char(12) primary key,
    chain_seq  bigint not null,
    hash       char(64) not null
);

-- Positions still to be published to Kafka, written in the append's own transaction.
create table outbox (
    position bigint primary key references events (position)
);

-- An event store is append-only: updates and deletes of events are refused outright.
-- (An operator with the rights to drop this trigger can still change history; the hash chain
-- and its verifier are what make that visible.)
create function events_are_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'events are append-only (% refused)', tg_op;
end $$;

create trigger events_append_only before update or delete on events
    for each statement execute function events_are_append_only();
