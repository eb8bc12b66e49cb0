"""Numbered schema migrations; each runs once, in a transaction, in order."""
from __future__ import annotations

from sqlite_utils import Migrations

from storage.search import index_snapshots
from storage.snapshots import unpack

migrations = Migrations("vigil")


@migrations(name="0001_initial")
def initial(db):
    db.executescript(
        """
        CREATE TABLE pages (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            url TEXT NOT NULL UNIQUE,           -- canonical URL: the page's identity
            fetch_url TEXT NOT NULL,            -- the URL as the site serves it
            state TEXT NOT NULL DEFAULT 'live', -- live | removed
            first_seen TEXT NOT NULL,
            last_fetched TEXT,
            last_status INTEGER,
            etag TEXT,
            last_modified TEXT,
            body_hash TEXT,                     -- sha256 of the raw body last fetched
            removed_at TEXT,
            depth INTEGER NOT NULL DEFAULT 0    -- links from a start URL when first found
        );
        CREATE INDEX pages_source ON pages(source);

        CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            first_seen TEXT NOT NULL
        );

        CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY,
            page_id INTEGER NOT NULL REFERENCES pages(id),
            story_id INTEGER NOT NULL REFERENCES stories(id),
            fetched_at TEXT NOT NULL,
            title TEXT,
            published TEXT,
            lang TEXT,
            text_hash TEXT NOT NULL,            -- sha256 of the normalized text
            text BLOB NOT NULL,                 -- zlib-compressed UTF-8 text
            signature BLOB,                     -- near-duplicate fingerprint
            extractor TEXT NOT NULL,
            final_url TEXT,
            http_status INTEGER
        );
        CREATE INDEX snapshots_page ON snapshots(page_id, id);
        CREATE INDEX snapshots_text_hash ON snapshots(text_hash);
        CREATE INDEX snapshots_story ON snapshots(story_id);

        CREATE TABLE story_bands (
            band TEXT NOT NULL,
            story_id INTEGER NOT NULL REFERENCES stories(id),
            PRIMARY KEY (band, story_id)
        ) WITHOUT ROWID;

        CREATE TABLE evidence (
            snapshot_id INTEGER PRIMARY KEY REFERENCES snapshots(id),
            sha256 TEXT NOT NULL,               -- of the raw body as received
            body BLOB NOT NULL,                 -- zlib-compressed raw body
            url TEXT NOT NULL,
            status INTEGER NOT NULL,
            headers TEXT NOT NULL               -- JSON object
        );

        CREATE TABLE changes (
            id INTEGER PRIMARY KEY,
            snapshot_id INTEGER NOT NULL UNIQUE REFERENCES snapshots(id),
            previous_id INTEGER REFERENCES snapshots(id),
            added TEXT NOT NULL,                -- JSON list of paragraphs
            removed TEXT NOT NULL
        );

        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            page_id INTEGER NOT NULL REFERENCES pages(id),
            snapshot_id INTEGER REFERENCES snapshots(id),
            event TEXT NOT NULL,   -- new | changed | removed | restored | mention_added | mention_removed
            at TEXT NOT NULL,
            detail TEXT            -- JSON
        );
        CREATE INDEX events_at ON events(at);
        CREATE INDEX events_page ON events(page_id, id);

        CREATE TABLE mentions (
            id INTEGER PRIMARY KEY,
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
            page_id INTEGER NOT NULL REFERENCES pages(id),
            story_id INTEGER NOT NULL REFERENCES stories(id),
            watchlist TEXT NOT NULL,
            term TEXT NOT NULL,
            kind TEXT NOT NULL,
            matched TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            rule TEXT,
            snippet TEXT NOT NULL,
            first_seen TEXT NOT NULL
        );
        CREATE INDEX mentions_first_seen ON mentions(first_seen);
        CREATE INDEX mentions_term ON mentions(term);
        CREATE INDEX mentions_story ON mentions(story_id);
        CREATE INDEX mentions_page ON mentions(page_id);

        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,           -- subscriber, story, event and terms: never twice
            subscriber TEXT NOT NULL,
            story_id INTEGER REFERENCES stories(id),
            page_id INTEGER REFERENCES pages(id),
            event TEXT NOT NULL,
            payload TEXT NOT NULL,              -- the alert JSON, also_at refreshed when sent
            created_at TEXT NOT NULL
        );

        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            alert_id INTEGER NOT NULL REFERENCES alerts(id),
            channel TEXT NOT NULL,              -- as written in the config (secrets unexpanded)
            status TEXT NOT NULL DEFAULT 'pending',  -- pending | sent | failed
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            sent_at TEXT,
            last_error TEXT,
            UNIQUE (alert_id, channel)
        );
        CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at);

        CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
            at TEXT NOT NULL,
            ok INTEGER NOT NULL,
            error TEXT
        );

        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            finish_reason TEXT,
            pid INTEGER,
            fetched INTEGER NOT NULL DEFAULT 0,
            new INTEGER NOT NULL DEFAULT 0,
            changed INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            removed INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            mentions INTEGER NOT NULL DEFAULT 0,
            alerts INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX runs_source ON runs(source, id);

        CREATE TABLE errors (
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES runs(id),
            source TEXT NOT NULL,
            url TEXT NOT NULL,
            kind TEXT NOT NULL,                 -- http | network | refused | processing | ...
            reason TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX errors_at ON errors(at);
        """
    )


@migrations(name="0003_daemon_health")
def daemon_health(db):
    db.executescript(
        """
        CREATE TABLE schedules (
            source TEXT PRIMARY KEY,
            schedule TEXT NOT NULL,             -- as written in the config when recorded
            next_run_at TEXT,                   -- when `vigil run` will crawl it next; NULL when stopped
            recorded_at TEXT NOT NULL
        );

        CREATE TABLE health_problems (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            problem TEXT NOT NULL,              -- source_failing | pages_dropped | new_pages_dropped | ...
            opened_at TEXT NOT NULL,
            detail TEXT NOT NULL,               -- JSON: what was seen, and the baseline it was measured against
            closed_at TEXT
        );
        CREATE UNIQUE INDEX health_problems_open ON health_problems(source, problem) WHERE closed_at IS NULL;

        CREATE INDEX runs_unfinished ON runs(source) WHERE finished_at IS NULL;
        CREATE INDEX errors_run ON errors(run_id);
        CREATE INDEX errors_source_at ON errors(source, at);
        """
    )


@migrations(name="0002_subscriptions_digests_search")
def subscriptions_digests_search(db):
    # One statement at a time: executescript would commit the migration's transaction early.
    statements = [
        """CREATE TABLE watch_terms (
            watchlist TEXT NOT NULL,
            name TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'person',
            aliases TEXT NOT NULL DEFAULT '[]',  -- JSON list
            active INTEGER NOT NULL DEFAULT 1,   -- 0: `vigil watch remove` (hides a term of vigil.toml too)
            changed_at TEXT NOT NULL,
            PRIMARY KEY (watchlist, name)
        )""",
        """CREATE TABLE subscriptions (
            subscriber TEXT NOT NULL,
            watchlist TEXT NOT NULL,
            subscribed INTEGER NOT NULL,         -- 1: `vigil subscribe`, 0: `vigil unsubscribe` (both win over the file)
            mode TEXT,                           -- instant | daily | weekly for this watchlist; NULL: the subscriber's
            changed_at TEXT NOT NULL,
            PRIMARY KEY (subscriber, watchlist)
        )""",
        """CREATE TABLE digests (
            id INTEGER PRIMARY KEY,
            subscriber TEXT NOT NULL,
            period TEXT NOT NULL,                -- daily | weekly
            due_at TEXT NOT NULL,                -- the scheduled moment it was made for
            since TEXT NOT NULL,
            until TEXT NOT NULL,
            items INTEGER NOT NULL,              -- mentions, takedowns and failed sources; 0: nothing was sent
            alert_id INTEGER REFERENCES alerts(id),  -- delivered through the outbox like any alert
            created_at TEXT NOT NULL,
            UNIQUE (subscriber, period, due_at)
        )""",
        # A dispatcher claims the deliveries it is about to send, so two never send the same one.
        "ALTER TABLE deliveries ADD COLUMN claimed_by TEXT",
        "ALTER TABLE deliveries ADD COLUMN claimed_until TEXT",
        # Contentless: snapshots keep the (compressed) text; this holds only the index.
        """CREATE VIRTUAL TABLE snapshot_search USING fts5(
            title, text, content='', tokenize='unicode61 remove_diacritics 2'
        )""",
    ]
    for statement in statements:
        db.execute(statement)
    for snapshot_id, title, text in db.execute("SELECT id, title, text FROM snapshots ORDER BY id").fetchall():
        index_snapshots(db, [(snapshot_id, title, unpack(text))])


@migrations(name="0004_frontier")
def frontier(db):
    # One statement at a time: executescript would commit the migration's transaction early.
    statements = [
        # NULL: due at the next crawl. Set after every visit from the revisit interval.
        "ALTER TABLE pages ADD COLUMN next_visit_at TEXT",
        "ALTER TABLE pages ADD COLUMN revisit_interval REAL NOT NULL DEFAULT 0",  # seconds
        # The last visit whose links led to pages not known before: a listing, visited every crawl.
        "ALTER TABLE pages ADD COLUMN led_to_new_at TEXT",
        # The latest text named a watched term: revisited within the shorter ceiling.
        "ALTER TABLE pages ADD COLUMN names_watched INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX pages_due ON pages(source, next_visit_at)",
        # Links found but not fetched yet (the crawl's budget ran out): first in line next crawl.
        """CREATE TABLE frontier (
            source TEXT NOT NULL,
            url TEXT NOT NULL,                  -- canonical
            fetch_url TEXT NOT NULL,            -- as linked
            depth INTEGER NOT NULL,
            found_at TEXT NOT NULL,
            retry_at TEXT,                      -- a link that failed for good (404, not HTML): tried again then
            PRIMARY KEY (source, url)
        ) WITHOUT ROWID""",
        # What a crawl left for later: revisits that were due, new links beyond the budget.
        "ALTER TABLE runs ADD COLUMN due_left INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE runs ADD COLUMN new_left INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE runs ADD COLUMN planned INTEGER",   # pages the crawl asked for
        "UPDATE pages SET names_watched = 1 WHERE id IN (SELECT DISTINCT page_id FROM mentions)",
    ]
    for statement in statements:
        db.execute(statement)


@migrations(name="0005_held_alerts")
def held_alerts(db):
    # One statement at a time, as in 0002.
    statements = [
        # An alert for a name in a listing's teaser waits, without deliveries, until the crawl has read
        # the article the teaser links to: one row per term and article it waits for.
        """CREATE TABLE held_alerts (
            id INTEGER PRIMARY KEY,
            alert_id INTEGER NOT NULL REFERENCES alerts(id),
            source TEXT NOT NULL,               -- whose crawl releases it, at its end at the latest
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),  -- the listing's snapshot naming the term
            watchlist TEXT NOT NULL,
            term TEXT NOT NULL,
            page_url TEXT NOT NULL,             -- canonical URL of the article
            teaser TEXT NOT NULL,               -- the teaser's text, compared with the article's
            covered INTEGER                     -- NULL: article not read yet; 1: it names the term too; 0: it does not
        )""",
        "CREATE INDEX held_alerts_page ON held_alerts(page_url) WHERE covered IS NULL",
        "CREATE INDEX held_alerts_alert ON held_alerts(alert_id)",
        "CREATE INDEX held_alerts_source ON held_alerts(source) WHERE covered IS NULL",
    ]
    for statement in statements:
        db.execute(statement)


@migrations(name="0006_accounts_reviews")
def accounts_reviews(db):
    # One statement at a time, as in 0002.
    statements = [
        # People who use the web app and the API. Passwords only as argon2 hashes.
        """CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL,                 -- admin | monitor | viewer
            password_hash TEXT NOT NULL,        -- argon2id
            created_at TEXT NOT NULL,
            disabled_at TEXT                    -- `vigil user remove`: sessions end, the name stays taken
        )""",
        # A session is a random id in a signed cookie; only its SHA-256 is stored, so the database
        # alone cannot be used to log in.
        """CREATE TABLE sessions (
            id_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            csrf TEXT NOT NULL,                 -- the token every state-changing request must carry
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        ) WITHOUT ROWID""",
        "CREATE INDEX sessions_user ON sessions(user_id)",
        # API tokens: shown once when made, stored as their SHA-256.
        """CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            last_used_at TEXT,
            revoked_at TEXT
        )""",
        # Secrets the web app keeps for itself (the key that signs cookies).
        """CREATE TABLE web_secrets (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID""",
        # A reader's verdict on a term found on a page: confirmed, or dismissed (not this person).
        # Keyed by page and term, not by one version: a dismissal holds for every later version.
        """CREATE TABLE reviews (
            page_id INTEGER NOT NULL REFERENCES pages(id),
            watchlist TEXT NOT NULL,
            term TEXT NOT NULL,
            state TEXT NOT NULL,                -- confirmed | dismissed
            note TEXT NOT NULL DEFAULT '',
            reviewer TEXT NOT NULL,             -- a user's or a token's name
            at TEXT NOT NULL,
            PRIMARY KEY (page_id, watchlist, term)
        ) WITHOUT ROWID""",
        "CREATE INDEX reviews_term ON reviews(watchlist, term, state)",
        # The inbox shows one mention per term per page version: the first, found through this.
        "CREATE INDEX mentions_snapshot_term ON mentions(snapshot_id, watchlist, term, id)",
        # What each reader has seen in the inbox.
        """CREATE TABLE mention_reads (
            user_id INTEGER NOT NULL REFERENCES users(id),
            mention_id INTEGER NOT NULL REFERENCES mentions(id),
            PRIMARY KEY (user_id, mention_id)
        ) WITHOUT ROWID""",
    ]
    for statement in statements:
        db.execute(statement)


@migrations(name="0007_documents")
def documents(db):
    # The page of a PDF a mention is on (NULL on a web page), for alerts and `vigil mentions`.
    db.execute("ALTER TABLE mentions ADD COLUMN doc_page INTEGER")

@migrations(name="0008_workers")
def workers(db):
    # What `vigil run --redis` last heard of the crawl workers and the queue in Redis, for `vigil status`.
    statements = [
        """CREATE TABLE workers (
            name TEXT PRIMARY KEY,              -- as the worker calls itself (host-pid by default)
            host TEXT,
            pid INTEGER,
            started_at TEXT,
            seen_at TEXT NOT NULL,              -- its last heartbeat, by its clock
            heard_at TEXT NOT NULL,             -- when the store read that heartbeat, by the store's clock
            pages INTEGER NOT NULL DEFAULT 0,   -- results pushed since it started
            errors INTEGER NOT NULL DEFAULT 0,  -- ... of which failures
            pages_per_min INTEGER NOT NULL DEFAULT 0,
            in_flight INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL                 -- running | stopped
        )""",
        """CREATE TABLE fleet_queue (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            redis TEXT NOT NULL,                -- the Redis URL, password masked
            requests INTEGER NOT NULL,          -- requests waiting in Redis, taken or not
            taken INTEGER NOT NULL,             -- ... of which a worker holds
            items INTEGER NOT NULL,             -- results waiting for the store
            crawls INTEGER NOT NULL,            -- crawls running on the workers
            updated_at TEXT NOT NULL
        )""",
    ]
    for statement in statements:
        db.execute(statement)


@migrations(name="0009_index_backlog")
def index_backlog(db):
    # Snapshots of quiet pages whose band keys and search rows wait to be written together (storage/backlog.py).
    # pid: the process that holds them, so that a crawl starting writes only those of a process gone.
    db.execute("""CREATE TABLE index_backlog (
        snapshot_id INTEGER PRIMARY KEY REFERENCES snapshots(id),
        pid INTEGER NOT NULL
    )""")


@migrations(name="0010_index_backlog_started")
def index_backlog_started(db):
    # When the noting process started: a process alive under the same pid is another one if it started
    # at another time, and the rows it never wrote are written by the next crawl (storage/backlog.py).
    db.execute("ALTER TABLE index_backlog ADD COLUMN started REAL")
