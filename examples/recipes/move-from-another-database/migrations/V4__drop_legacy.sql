-- A later release, once V3 is in the history everywhere: the link goes (then, by an operator:
-- DROP USER MAPPING FOR app SERVER legacy; DROP SERVER legacy;).
DROP SCHEMA legacy CASCADE;
