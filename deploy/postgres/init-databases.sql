-- One database per service and the key service's, as the local launcher creates them (deploy/local/xiangzhi_stack/postgres.py).
CREATE DATABASE grid;
CREATE DATABASE party;
CREATE DATABASE economy;
CREATE DATABASE livelihood;
CREATE DATABASE gateway;
CREATE DATABASE keys;
