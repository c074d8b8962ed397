CREATE TABLE `portal_budgets` (
	`portal_id` integer PRIMARY KEY NOT NULL,
	`monthly_limit_usd` real NOT NULL,
	`warn_at_percent` integer,
	`time_zone` text,
	`warned_month` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`portal_id`) REFERENCES `portals`(`portal_id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `executions` ADD `cost_usd` real;--> statement-breakpoint
ALTER TABLE `executions` ADD `cost_unknown` integer DEFAULT 0 NOT NULL;