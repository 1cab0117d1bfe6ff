#!/bin/bash

# mkdir
mkdir -p /opt/course/3/

#empty yaml file
touch /opt/course/3/job.yaml

# Create namespace neptune
kubectl create namespace neptune

