"""Imitation-learning algorithms; each is a frozen Config plus train(key, config, ...)."""
