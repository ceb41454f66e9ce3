-- One database per service: no service reads another's tables.
CREATE DATABASE intake;
CREATE DATABASE matching;
CREATE DATABASE exchange;
