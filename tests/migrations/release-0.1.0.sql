BEGIN TRANSACTION;
CREATE TABLE access_key (
	"key" VARCHAR(256) NOT NULL, 
	user VARCHAR(128) NOT NULL, 
	PRIMARY KEY ("key"), 
	FOREIGN KEY(user) REFERENCES account (name) ON DELETE CASCADE
);
INSERT INTO "access_key" VALUES('ACCESSKEY-alice0000000000','alice');
CREATE TABLE account (
	name VARCHAR(128) NOT NULL, 
	id VARCHAR(32) NOT NULL, 
	workspace VARCHAR(128), 
	nickname VARCHAR NOT NULL, 
	email VARCHAR NOT NULL, 
	mobile VARCHAR NOT NULL, 
	description VARCHAR NOT NULL, 
	team VARCHAR, 
	PRIMARY KEY (name), 
	UNIQUE (id), 
	FOREIGN KEY(workspace) REFERENCES workspace (name) ON DELETE CASCADE
);
INSERT INTO "account" VALUES('alice','abc9d8b130134a08a96d4abb5d03425e','team-a','alice','','','',NULL);
CREATE TABLE branch (
	seq INTEGER NOT NULL, 
	dataset_seq INTEGER NOT NULL, 
	name VARCHAR(128) NOT NULL, 
	commit_id VARCHAR, 
	PRIMARY KEY (seq), 
	UNIQUE (dataset_seq, name), 
	FOREIGN KEY(dataset_seq) REFERENCES dataset (seq) ON DELETE CASCADE
);
INSERT INTO "branch" VALUES(1,1,'main',NULL);
INSERT INTO "branch" VALUES(2,1,'dev',NULL);
INSERT INTO "branch" VALUES(3,2,'main',NULL);
INSERT INTO "branch" VALUES(4,3,'main',NULL);
CREATE TABLE dataset (
	seq INTEGER NOT NULL, 
	id VARCHAR(32) NOT NULL, 
	workspace VARCHAR(128) NOT NULL, 
	name VARCHAR(128) NOT NULL, 
	alias VARCHAR NOT NULL, 
	default_branch VARCHAR NOT NULL, 
	commit_id VARCHAR, 
	cover_url VARCHAR NOT NULL, 
	creator VARCHAR NOT NULL, 
	created_at VARCHAR(20) NOT NULL, 
	updated_at VARCHAR(20) NOT NULL, 
	is_public BOOLEAN NOT NULL, 
	storage_config VARCHAR NOT NULL, 
	backend_type VARCHAR(8) NOT NULL, 
	PRIMARY KEY (seq), 
	UNIQUE (workspace, name), 
	UNIQUE (id), 
	FOREIGN KEY(workspace) REFERENCES workspace (name) ON DELETE CASCADE
);
INSERT INTO "dataset" VALUES(1,'c8356d3f14d1403ab840f6f65d138ba8','team-a','MNIST','digits','main',NULL,'','','2026-01-02T03:04:05Z','2026-01-02T03:04:05Z',0,'default','OSS');
INSERT INTO "dataset" VALUES(2,'3c45b92f1b0e446586f74be73d58f931','team-a','COCO','','main',NULL,'','','2026-01-02T03:04:06Z','2026-01-02T03:04:06Z',0,'s3-store','S3');
INSERT INTO "dataset" VALUES(3,'61b70f100097485d9aa7b16c0d637f3c','team-a','VOC','voc','main',NULL,'','alice','2026-11-30T02:35:55Z','2026-11-30T02:35:55Z',0,'default','OSS');
CREATE TABLE draft (
	seq INTEGER NOT NULL, 
	dataset_seq INTEGER NOT NULL, 
	number INTEGER NOT NULL, 
	branch VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	status VARCHAR NOT NULL, 
	PRIMARY KEY (seq), 
	FOREIGN KEY(dataset_seq) REFERENCES dataset (seq) ON DELETE CASCADE
);
INSERT INTO "draft" VALUES(1,1,1,'main','first','OPEN');
CREATE TABLE storage_config (
	seq INTEGER NOT NULL, 
	workspace VARCHAR(128) NOT NULL, 
	name VARCHAR(128) NOT NULL, 
	backend_type VARCHAR(8) NOT NULL, 
	is_default BOOLEAN NOT NULL, 
	PRIMARY KEY (seq), 
	UNIQUE (workspace, name), 
	FOREIGN KEY(workspace) REFERENCES workspace (name) ON DELETE CASCADE
);
INSERT INTO "storage_config" VALUES(1,'team-a','default','OSS',1);
INSERT INTO "storage_config" VALUES(2,'team-a','s3-store','S3',0);
CREATE TABLE workspace (
	name VARCHAR(128) NOT NULL, 
	id VARCHAR(32) NOT NULL, 
	type VARCHAR(8) NOT NULL, 
	alias VARCHAR NOT NULL, 
	description VARCHAR NOT NULL, 
	email VARCHAR NOT NULL, 
	location VARCHAR NOT NULL, 
	PRIMARY KEY (name), 
	UNIQUE (id)
);
INSERT INTO "workspace" VALUES('team-a','ccf18b1e1a354dc79f38f24db4d5100f','USER','','','','');
CREATE INDEX ix_dataset_workspace_seq ON dataset (workspace, seq);
COMMIT;
