-- One PostgreSQL server for the deployment: junheng's data and Temporal's persistence and visibility.
CREATE DATABASE junheng;
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
