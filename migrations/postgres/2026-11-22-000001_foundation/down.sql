DROP TABLE users;
DROP TABLE departments;
