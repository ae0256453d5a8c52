-- The web shop's own database (OLTP): the current state of every customer, product,
-- order and order line, as the shop's application keeps it. The JDBC extract reads it
-- incrementally by `updated_at` (every write by the application sets it to now).
--
-- Columns match the data contracts in data/contracts/ecommerce/, in the same order. Only
-- keys are enforced: a real shop's database lets through what our silver layer catches
-- (negative amounts, unknown statuses, padded mixed-case codes).
--
-- Run by docker compose (docker-entrypoint-initdb.d) on the source-db's first start, and
-- by medallion.sources.seed for tests.

create table if not exists customers (
    customer_id text primary key,
    full_name text,
    email text,
    segment text,
    region text,
    signup_date date,
    updated_at timestamp not null
);

create table if not exists products (
    product_id text primary key,
    product_name text,
    category text,
    unit_cost numeric(10, 2),
    list_price numeric(10, 2),
    updated_at timestamp not null
);

create table if not exists orders (
    order_id text primary key,
    customer_id text,
    order_ts timestamp,
    status text,
    payment_method text,
    amount numeric(12, 2),
    updated_at timestamp not null
);

create table if not exists order_items (
    order_id text not null,
    line_number integer not null,
    product_id text,
    quantity integer,
    unit_price numeric(10, 2),
    updated_at timestamp not null,
    primary key (order_id, line_number)
);

-- The extract filters on updated_at: keep that a range scan, not a full scan.
create index if not exists customers_updated_at on customers (updated_at);
create index if not exists products_updated_at on products (updated_at);
create index if not exists orders_updated_at on orders (updated_at);
create index if not exists order_items_updated_at on order_items (updated_at);
