-- A status column with a default is a metadata-only change in PostgreSQL 11+.
ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'placed';
ALTER TABLE orders ADD CONSTRAINT orders_status_known
    CHECK (status IN ('placed', 'paid', 'shipped', 'cancelled')) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_status_known;
