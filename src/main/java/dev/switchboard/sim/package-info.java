/**
 * The LLM backend simulator: test and demo infrastructure, never on a turn's path. It speaks the
 * Ollama and OpenAI wire formats (checked against their official clients in tests/node), answers
 * what it was sent so tests can read the prompt back, and injects faults (errors, hangs, cut and
 * stalled streams, slow first tokens, unloaded models) for the pool's tests and the benchmarks.
 * {@link dev.switchboard.sim.Simulator} serves HTTP; {@link dev.switchboard.sim.SimBrain} decides the
 * answer; {@link dev.switchboard.sim.FaultPlan} the fault; {@link dev.switchboard.sim.Pacing} the
 * timing; {@link dev.switchboard.sim.SimHttp}, {@code OpenAiFormat} and {@code OllamaFormat} the bytes.
 */
package dev.switchboard.sim;
