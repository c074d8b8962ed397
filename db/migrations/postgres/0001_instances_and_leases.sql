CREATE TABLE "instances" (
	"instance_id" text PRIMARY KEY NOT NULL,
	"version" text NOT NULL,
	"started_at" bigint NOT NULL,
	"last_seen_at" bigint NOT NULL,
	"running" integer DEFAULT 0 NOT NULL,
	"stopped_at" bigint
);
--> statement-breakpoint
CREATE TABLE "rate_limit_counters" (
	"key" text PRIMARY KEY NOT NULL,
	"window_started_at" bigint NOT NULL,
	"count" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "instance_id" text;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "lease_owner" text;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "lease_expires_at" bigint;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "reserved_usd" double precision;--> statement-breakpoint
ALTER TABLE "portal_budgets" ADD COLUMN "ledger_month" text;--> statement-breakpoint
ALTER TABLE "portal_budgets" ADD COLUMN "spent_usd" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "executions_reserved" ON "executions" USING btree ("portal_id") WHERE reserved_usd is not null;