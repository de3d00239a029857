"""The orders screens, one module per screen: work (the Work page), new (the "+" forms and
the phone lookup), card (the order card and its actions), clients (client and device
cards); common holds the tenant-scoped getters they share."""
