CREATE TABLE `assistants` (
	`id` text PRIMARY KEY NOT NULL,
	`portal_id` integer NOT NULL,
	`name` text NOT NULL,
	`model` text NOT NULL,
	`instructions` text NOT NULL,
	`temperature` real,
	`reasoning_effort` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`portal_id`) REFERENCES `portals`(`portal_id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `assistants_portal` ON `assistants` (`portal_id`);--> statement-breakpoint
CREATE TABLE `audit_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`portal_id` integer NOT NULL,
	`provider` text,
	`action` text NOT NULL,
	`actor` text NOT NULL,
	`detail` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_events_portal` ON `audit_events` (`portal_id`,`at`);--> statement-breakpoint
CREATE TABLE `connections` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`portal_id` integer NOT NULL,
	`provider` text NOT NULL,
	`encrypted_key` text NOT NULL,
	`key_hint` text NOT NULL,
	`base_url` text,
	`status` text DEFAULT 'connected' NOT NULL,
	`allowed_models` text,
	`connected_at` integer NOT NULL,
	`last_validated_at` integer NOT NULL,
	FOREIGN KEY (`portal_id`) REFERENCES `portals`(`portal_id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `connections_portal_provider` ON `connections` (`portal_id`,`provider`);--> statement-breakpoint
CREATE TABLE `executions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`portal_id` integer NOT NULL,
	`action` text NOT NULL,
	`callback_id` text,
	`provider` text,
	`model` text,
	`status` text NOT NULL,
	`error_code` text,
	`error_message` text,
	`input_tokens` integer,
	`output_tokens` integer,
	`cached_input_tokens` integer,
	`reasoning_tokens` integer,
	`finish_reason` text,
	`latency_ms` integer,
	`adjustments` text,
	`output_fields` text,
	`prompt` text,
	`response` text,
	`started_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `executions_callback` ON `executions` (`callback_id`);--> statement-breakpoint
CREATE INDEX `executions_portal_started` ON `executions` (`portal_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `oauth_states` (
	`nonce` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `oauth_tokens` (
	`portal_id` integer PRIMARY KEY NOT NULL,
	`encrypted_access_token` text NOT NULL,
	`encrypted_refresh_token` text NOT NULL,
	`expires_at` integer NOT NULL,
	`scopes` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`portal_id`) REFERENCES `portals`(`portal_id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `portals` (
	`portal_id` integer PRIMARY KEY NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`install_status` text,
	`installed_at` integer
);
