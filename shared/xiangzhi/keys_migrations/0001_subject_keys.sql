-- The key service's store: one data key per person and village, wrapped by the key-encryption
-- key. A person is found by a blinded (HMAC) reference, never by their name, number or address:
-- a dump of this database names nobody. Forgetting a person deletes the wrapped key; the row
-- stays (key id, when) so that an erased field can say so, and a later event about the same
-- person gets a new key.
create table subject_keys (
    key_id        uuid primary key,
    village       char(12) not null,
    subject_hash  bytea not null,
    kek_id        text not null,
    wrapped       bytea,
    created_at    timestamptz not null default now(),
    forgotten_at  timestamptz,
    check ((wrapped is null) = (forgotten_at is not null))
);

create unique index subject_keys_live on subject_keys (village, subject_hash)
    where forgotten_at is null;
create index subject_keys_subject on subject_keys (village, subject_hash);
