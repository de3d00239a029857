// orders: behaviour of this app's screens (no inline scripts: CSP).
