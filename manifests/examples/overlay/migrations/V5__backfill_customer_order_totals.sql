-- Denormalised lifetime value, backfilled from the existing orders.
ALTER TABLE customers ADD COLUMN lifetime_cents bigint NOT NULL DEFAULT 0;

UPDATE customers AS c
SET lifetime_cents = totals.sum_cents
FROM (
    SELECT customer_id, sum(total_cents) AS sum_cents
    FROM orders
    GROUP BY customer_id
) AS totals
WHERE totals.customer_id = c.id;

CREATE FUNCTION order_total_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customers SET lifetime_cents = lifetime_cents + NEW.total_cents
    WHERE id = NEW.customer_id;
    RETURN NEW;
END;
$$;

CREATE TRIGGER orders_update_lifetime AFTER INSERT ON orders
    FOR EACH ROW EXECUTE FUNCTION order_total_trigger();
