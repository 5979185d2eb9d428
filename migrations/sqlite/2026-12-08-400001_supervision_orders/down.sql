DROP TABLE supervision_order_steps;
DROP TABLE supervision_order_cases;
DROP TABLE supervision_orders;
