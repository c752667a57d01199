"""Terraform plan support: read ``terraform show -json`` output and run the gate pack on it."""
