-- schemagate:batch size=1000 pause=50ms key=bigint
-- Copies the other database's customers, 1,000 rows a transaction in id order. A killed Job
-- resumes after the last committed batch ($2, the greatest id copied): nothing copied twice.
INSERT INTO customers (id, name, email)
SELECT id, name, email FROM legacy.customers
 WHERE id > coalesce($2, 0)
 ORDER BY id LIMIT $1
RETURNING id;

-- schemagate:batch-total
SELECT count(*) FROM legacy.customers;
