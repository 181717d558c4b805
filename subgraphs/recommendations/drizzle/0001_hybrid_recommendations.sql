CREATE TABLE "recommendations"."event_activity" (
	"event_id" uuid PRIMARY KEY NOT NULL,
	"popularity" double precision NOT NULL,
	"trend" double precision NOT NULL,
	"purchases" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
DROP INDEX "recommendations"."interactions_recent_idx";--> statement-breakpoint
ALTER TABLE "recommendations"."event_catalog" ADD COLUMN "venue_name" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "recommendations"."interactions" ADD COLUMN "order_id" uuid;--> statement-breakpoint
ALTER TABLE "recommendations"."interactions" ADD COLUMN "view_day" date;--> statement-breakpoint
-- Data written before this migration. A signed-in user's views of one event: one row per UTC day (the latest).
UPDATE "recommendations"."interactions" SET "view_day" = ("occurred_at" AT TIME ZONE 'UTC')::date WHERE "kind" = 'VIEW';--> statement-breakpoint
DELETE FROM "recommendations"."interactions" i USING (
	SELECT "id", row_number() OVER (PARTITION BY "user_id", "event_id", "view_day" ORDER BY "occurred_at" DESC, "id" DESC) AS n
	FROM "recommendations"."interactions" WHERE "kind" = 'VIEW' AND "user_id" IS NOT NULL
) d WHERE d."id" = i."id" AND d.n > 1;--> statement-breakpoint
-- Purchases learn their order where exactly one order matches (buyer, event, confirmation time) ...
WITH matched AS (
	SELECT i."id", h."order_id", count(*) OVER (PARTITION BY i."id") AS per_row, count(*) OVER (PARTITION BY h."order_id") AS per_order
	FROM "recommendations"."interactions" i
	JOIN "recommendations"."ticket_holdings" h ON h."user_id" = i."user_id" AND h."event_id" = i."event_id" AND h."confirmed_at" = i."occurred_at"
	WHERE i."kind" = 'PURCHASE'
)
UPDATE "recommendations"."interactions" i SET "order_id" = m."order_id" FROM matched m WHERE m."id" = i."id" AND m.per_row = 1 AND m.per_order = 1;--> statement-breakpoint
-- ... and a refunded order's purchase is taken back.
DELETE FROM "recommendations"."interactions" i USING "recommendations"."ticket_holdings" h
WHERE i."kind" = 'PURCHASE' AND i."order_id" = h."order_id" AND h."refunded_at" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "interactions_order_key" ON "recommendations"."interactions" USING btree ("order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "interactions_daily_view_key" ON "recommendations"."interactions" USING btree ("user_id","event_id","view_day");--> statement-breakpoint
CREATE INDEX "interactions_user_purchases_idx" ON "recommendations"."interactions" USING btree ("user_id","event_id") WHERE kind = 'PURCHASE';--> statement-breakpoint
-- The activity counters from everything on record (views 1, purchases 3; half-lives 7 and 2 days).
INSERT INTO "recommendations"."event_activity" ("event_id", "popularity", "trend", "purchases", "updated_at")
SELECT "event_id",
	sum(w * power(0.5::float8, greatest(0::float8, date_part('epoch', last - "occurred_at")) / 604800::float8)),
	sum(w * power(0.5::float8, greatest(0::float8, date_part('epoch', last - "occurred_at")) / 172800::float8)),
	count(*) FILTER (WHERE "kind" = 'PURCHASE')::int,
	last
FROM (
	SELECT "event_id", "kind", "occurred_at", (CASE WHEN "kind" = 'PURCHASE' THEN 3::float8 ELSE 1::float8 END) AS w,
		max("occurred_at") OVER (PARTITION BY "event_id") AS last
	FROM "recommendations"."interactions"
) x
GROUP BY "event_id", last;
