CREATE TABLE orders (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id  bigint NOT NULL REFERENCES customers (id),
    total_cents  bigint NOT NULL CHECK (total_cents >= 0),
    placed_at    timestamptz NOT NULL DEFAULT now()
);

INSERT INTO customers (email, full_name)
SELECT 'customer' || n || '@example.com', 'Customer ' || n
FROM generate_series(1, 200) AS n;

INSERT INTO orders (customer_id, total_cents, placed_at)
SELECT 1 + (n % 200), (n * 37) % 10000, now() - make_interval(days => n % 365)
FROM generate_series(1, 2000) AS n;
