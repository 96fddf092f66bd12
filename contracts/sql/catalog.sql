-- Schema "catalog": the catalog service's tables as upstream lingo-services-catalog migrations
-- 001, 003, 004 and 005 create them (read at bdb5de0). The outbox/inbox tables (upstream 002) come
-- from outbox_inbox.sql.tmpl rendered for "catalog". Plain PostgreSQL, runs on 15 and 18,
-- idempotent: every statement is create-if-not-exists, create-or-replace, or guarded.
--
-- Deviations from upstream, on purpose:
-- * No "create extension pgcrypto": gen_random_uuid() is built in since PostgreSQL 13, and
--   creating an extension needs privileges a service role may not have.
-- * No foreign key videos.upload_user_id -> auth.users(id) (upstream videos_upload_user_fkey).
--   Lingo's users live in Supabase auth; the catalog never writes auth.users. With the key, every
--   finalized upload of a user unknown to auth.users fails (upstream's own tests insert users
--   first). The suite uses a fresh random user id per scenario and must not need a user table
--   write, so the reference keeps upload_user_id a plain uuid column. A deployment that has
--   auth.users may add the constraint back; no behaviour in the contract depends on it.

create schema if not exists catalog;

do $$
begin
    create type catalog.video_status as enum
        ('pending_upload', 'processing', 'ready', 'published', 'failed', 'rejected', 'archived');
exception
    when duplicate_object then null;
end
$$;

do $$
begin
    create type catalog.stage_status as enum ('pending', 'processing', 'ready', 'failed');
exception
    when duplicate_object then null;
end
$$;

create or replace function catalog.tg_set_updated_at() returns trigger
    language plpgsql
as $$
begin
    new.updated_at := now();
    return new;
end
$$;

create table if not exists catalog.videos (
    video_id            uuid                 primary key default gen_random_uuid(),
    upload_user_id      uuid                 not null,
    created_at          timestamptz          not null default now(),
    updated_at          timestamptz          not null default now(),
    title               text                 not null,
    description         text,
    raw_file_reference  text                 not null,
    status              catalog.video_status not null default 'pending_upload',
    version             bigint               not null default 1,
    media_status        catalog.stage_status not null default 'pending',
    analysis_status     catalog.stage_status not null default 'pending',
    media_job_id        text,
    analysis_job_id     text,
    media_emitted_at    timestamptz,
    analysis_emitted_at timestamptz,
    raw_file_size       bigint check (raw_file_size > 0),
    raw_resolution      text,
    raw_bitrate         integer,
    duration_micros     bigint,
    encoded_resolution  text,
    encoded_bitrate     integer,
    thumbnail_url       text,
    hls_master_playlist text,
    difficulty          text,
    summary             text,
    tags                text[],
    visibility_status   text                 not null default 'public',
    publish_at          timestamptz,
    raw_subtitle_url    text,
    error_message       text
);

create index if not exists videos_status_idx on catalog.videos (status);
create index if not exists videos_media_status_idx on catalog.videos (media_status);
create index if not exists videos_analysis_status_idx on catalog.videos (analysis_status);
create index if not exists videos_tags_gin_idx on catalog.videos using gin (tags);
create index if not exists videos_upload_user_idx on catalog.videos (upload_user_id);
create index if not exists videos_created_at_idx on catalog.videos (created_at);

create or replace trigger set_updated_at_on_videos
    before update on catalog.videos
    for each row execute function catalog.tg_set_updated_at();

create table if not exists catalog.video_user_engagements_projection (
    user_id                uuid        not null,
    video_id               uuid        not null,
    has_liked              boolean     not null default false,
    has_bookmarked         boolean     not null default false,
    liked_occurred_at      timestamptz,
    bookmarked_occurred_at timestamptz,
    updated_at             timestamptz not null default now(),
    primary key (user_id, video_id)
);

create index if not exists video_user_engagements_projection_video_idx
    on catalog.video_user_engagements_projection (video_id);

create table if not exists catalog.video_engagement_stats_projection (
    video_id        uuid        primary key,
    like_count      bigint      not null default 0 check (like_count >= 0),
    bookmark_count  bigint      not null default 0 check (bookmark_count >= 0),
    watch_count     bigint      not null default 0 check (watch_count >= 0),
    unique_watchers bigint      not null default 0 check (unique_watchers >= 0),
    first_watch_at  timestamptz,
    last_watch_at   timestamptz,
    updated_at      timestamptz not null default now()
);

create index if not exists video_engagement_stats_projection_updated_idx
    on catalog.video_engagement_stats_projection (updated_at desc);

create table if not exists catalog.video_engagement_watchers (
    video_id         uuid        not null,
    user_id          uuid        not null,
    first_watched_at timestamptz not null,
    last_watched_at  timestamptz not null,
    primary key (video_id, user_id)
);

create index if not exists video_engagement_watchers_last_watched_idx
    on catalog.video_engagement_watchers (last_watched_at desc);

create table if not exists catalog.uploads (
    video_id              uuid        primary key,
    user_id               uuid        not null,
    bucket                text        not null,
    object_name           text        not null,
    content_type          text,
    expected_size         bigint      not null default 0,
    size_bytes            bigint      not null default 0,
    content_md5           char(32)    not null,
    title                 text        not null,
    description           text        not null,
    signed_url            text,
    signed_url_expires_at timestamptz,
    status                text        not null check (status in ('uploading', 'completed', 'failed')),
    gcs_generation        text,
    gcs_etag              text,
    md5_hash              text,
    crc32c                text,
    error_code            text,
    error_message         text,
    created_at            timestamptz not null default now(),
    updated_at            timestamptz not null default now()
);

create unique index if not exists uploads_user_md5_unique on catalog.uploads (user_id, content_md5);
create unique index if not exists uploads_bucket_object_unique on catalog.uploads (bucket, object_name);

create or replace trigger set_updated_at_on_uploads
    before update on catalog.uploads
    for each row execute function catalog.tg_set_updated_at();

-- Idempotency keys of catalog writes (seed 001 post-MVP backlog: catalog.idempotency_keys with a
-- TTL). One row per (caller, key): the digest of the RPC and request it was first used with, and
-- that call's answer, written in the same transaction as the write itself. Rows older than the
-- TTL (24 hours) are ignored and replaced.
create table if not exists catalog.idempotency_keys (
    caller          text        not null,
    idempotency_key text        not null,
    request_digest  text        not null,
    response        bytea       not null,
    created_at      timestamptz not null,
    primary key (caller, idempotency_key)
);
