-- The gateway's identity store: users, refresh-token families, API keys, and the county's
-- register of villages.
create table users (
    user_id       uuid primary key,
    username      text not null unique,
    password_hash text not null,
    role          text not null,
    county        char(6),
    township      char(9),
    villages      text[] not null default '{}',
    person_id     text,
    disabled      boolean not null default false,
    created_at    timestamptz not null default now()
);

-- Refresh tokens rotate: each use issues the next one of the same family. A token presented a
-- second time means it was stolen or replayed, and the whole family is revoked.
create table refresh_tokens (
    token_id    uuid primary key,
    family_id   uuid not null,
    user_id     uuid not null references users (user_id),
    token_hash  char(64) not null unique,
    issued_at   timestamptz not null default now(),
    expires_at  timestamptz not null,
    used_at     timestamptz,
    revoked_at  timestamptz
);
create index refresh_tokens_family on refresh_tokens (family_id);

create table api_keys (
    key_id      uuid primary key,
    prefix      text not null unique,
    key_hash    char(64) not null,
    name        text not null,
    villages    text[] not null,
    scopes      text[] not null,
    created_by  uuid references users (user_id),
    created_at  timestamptz not null default now(),
    revoked_at  timestamptz
);

create table villages (
    code        char(12) primary key,
    name        text not null,
    created_at  timestamptz not null default now()
);
