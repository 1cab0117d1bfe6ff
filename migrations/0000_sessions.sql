CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`nodes` text NOT NULL,
	`state` text DEFAULT 'live' NOT NULL,
	`client_hash` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sessions_client_state` ON `sessions` (`client_hash`,`state`);--> statement-breakpoint
CREATE INDEX `sessions_state_expires` ON `sessions` (`state`,`expires_at`);