CREATE TABLE "tickets"."hold_windows" (
	"user_id" uuid NOT NULL,
	"tier_id" uuid NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	CONSTRAINT "hold_windows_user_id_tier_id_pk" PRIMARY KEY("user_id","tier_id")
);
--> statement-breakpoint
ALTER TABLE "tickets"."hold_windows" ADD CONSTRAINT "hold_windows_tier_id_ticket_tiers_id_fk" FOREIGN KEY ("tier_id") REFERENCES "tickets"."ticket_tiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reservations_held_user_idx" ON "tickets"."reservations" USING btree ("user_id","expires_at") WHERE status = 'HELD';--> statement-breakpoint
CREATE INDEX "reservations_user_created_idx" ON "tickets"."reservations" USING btree ("user_id","created_at");