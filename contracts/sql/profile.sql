-- Schema "profile": the profile service's tables as upstream lingo-services-profile
-- migrations/101_create_profile_schema.sql creates them (read at 30358bb). The outbox/inbox
-- tables come from outbox_inbox.sql.tmpl rendered for "profile". Plain PostgreSQL, runs on 15
-- and 18, idempotent. Upstream has no foreign key to any user table either, and the RLS policy
-- drafts the seed mentions are disabled upstream, so none are created here.

create schema if not exists profile;

create or replace function profile.tg_set_updated_at() returns trigger
    language plpgsql
as $$
begin
    new.updated_at := now();
    return new;
end
$$;

create table if not exists profile.users (
    user_id          uuid        primary key,
    display_name     text        not null,
    avatar_url       text,
    profile_version  bigint      not null default 1,
    preferences_json jsonb       not null default '{"learning_goal": null, "daily_quota_minutes": null}'::jsonb,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now()
);

create or replace trigger set_updated_at_on_users
    before update on profile.users
    for each row execute function profile.tg_set_updated_at();

create table if not exists profile.engagements (
    user_id         uuid        not null,
    video_id        uuid        not null,
    engagement_type text        not null check (engagement_type in ('like', 'bookmark')),
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    deleted_at      timestamptz,
    primary key (user_id, video_id, engagement_type)
);

create index if not exists engagements_video_user_active_idx
    on profile.engagements (video_id, user_id)
    where deleted_at is null;

create or replace trigger set_updated_at_on_engagements
    before update on profile.engagements
    for each row execute function profile.tg_set_updated_at();

create table if not exists profile.watch_logs (
    user_id             uuid        not null,
    video_id            uuid        not null,
    position_seconds    numeric     not null,
    progress_ratio      numeric     not null,
    total_watch_seconds numeric     not null default 0,
    first_watched_at    timestamptz not null default now(),
    last_watched_at     timestamptz not null default now(),
    expires_at          timestamptz,
    redacted_at         timestamptz,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    primary key (user_id, video_id)
);

create index if not exists watch_logs_user_last_watched_idx
    on profile.watch_logs (user_id, last_watched_at desc);

create index if not exists watch_logs_expires_idx
    on profile.watch_logs (expires_at)
    where expires_at is not null;

create or replace trigger set_updated_at_on_watch_logs
    before update on profile.watch_logs
    for each row execute function profile.tg_set_updated_at();

create table if not exists profile.videos_projection (
    video_id            uuid        primary key,
    title               text        not null,
    description         text,
    duration_micros     bigint,
    thumbnail_url       text,
    hls_master_playlist text,
    status              text,
    visibility_status   text,
    published_at        timestamptz,
    version             bigint      not null,
    updated_at          timestamptz not null default now()
);

create index if not exists videos_projection_updated_idx
    on profile.videos_projection (updated_at);

create table if not exists profile.video_stats (
    video_id            uuid        primary key,
    like_count          bigint      not null default 0,
    bookmark_count      bigint      not null default 0,
    unique_watchers     bigint      not null default 0,
    total_watch_seconds bigint      not null default 0,
    updated_at          timestamptz not null default now()
);

create or replace trigger set_updated_at_on_video_stats
    before update on profile.video_stats
    for each row execute function profile.tg_set_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Additions over upstream (nullable, so upstream's INSERTs that do not name them keep working).

-- last_emitted_ratio: the progress_ratio carried by the last profile.watch.progressed event of
-- this (user, video); null until progress first reaches 5 %. The next event is due when progress
-- gains 5 % over this value. Upstream compares with the previous *stored* ratio instead, so many
-- small steps (4 % each) never emit again; a non-null value also means the user already counts
-- once in video_stats.unique_watchers.
alter table profile.watch_logs add column if not exists last_emitted_ratio numeric;
