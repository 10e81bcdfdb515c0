-- The table the data moves into (in a real app it usually exists already).
CREATE TABLE customers (
  id bigint PRIMARY KEY,
  name text NOT NULL,
  email text
);
