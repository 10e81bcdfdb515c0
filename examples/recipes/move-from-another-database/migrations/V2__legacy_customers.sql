-- The other database's table, seen here as a foreign table (server `legacy`, setup.sql).
CREATE SCHEMA legacy;
IMPORT FOREIGN SCHEMA public LIMIT TO (customers) FROM SERVER legacy INTO legacy;
