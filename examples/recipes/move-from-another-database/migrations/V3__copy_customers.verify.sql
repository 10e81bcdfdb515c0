-- After the last batch, in its transaction: as many rows here as there, and the same ids.
SELECT (SELECT count(*) FROM customers) = (SELECT count(*) FROM legacy.customers);
SELECT (SELECT max(id) FROM customers) IS NOT DISTINCT FROM (SELECT max(id) FROM legacy.customers);
