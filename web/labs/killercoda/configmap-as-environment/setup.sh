#!/bin/bash
set -euo pipefail

echo "Preparing lab environment..."
# Using default namespace for this task
echo "Setup complete! You can now create the ConfigMap and Pod."
