"""The demo workspace a newcomer sees on first run: accounts, contacts, teammates, a key."""
