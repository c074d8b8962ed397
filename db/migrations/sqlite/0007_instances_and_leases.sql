CREATE TABLE `instances` (
	`instance_id` text PRIMARY KEY NOT NULL,
	`version` text NOT NULL,
	`started_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`running` integer DEFAULT 0 NOT NULL,
	`stopped_at` integer
);
--> statement-breakpoint
CREATE TABLE `rate_limit_counters` (
	`key` text PRIMARY KEY NOT NULL,
	`window_started_at` integer NOT NULL,
	`count` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `audit_events` ADD `instance_id` text;--> statement-breakpoint
ALTER TABLE `executions` ADD `lease_owner` text;--> statement-breakpoint
ALTER TABLE `executions` ADD `lease_expires_at` integer;--> statement-breakpoint
ALTER TABLE `executions` ADD `reserved_usd` real;--> statement-breakpoint
CREATE INDEX `executions_reserved` ON `executions` (`portal_id`) WHERE reserved_usd is not null;--> statement-breakpoint
ALTER TABLE `portal_budgets` ADD `ledger_month` text;--> statement-breakpoint
ALTER TABLE `portal_budgets` ADD `spent_usd` real DEFAULT 0 NOT NULL;