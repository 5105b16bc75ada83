-- SPDX-License-Identifier: MIT
-- The user's side of examples/embed: the application calls analyse with
-- its samples (a float64 lunar array) and reads back the vector returned:
-- the mean, the standard deviation and the dominant frequency in Hz at the
-- application's 1 kHz sampling rate.
function analyse(samples)
  local mean, std = samples:mean(), samples:std()
  local spectrum = lunar.abs(lunar.fft.rfft(samples - mean))
  local freqs = lunar.fft.rfftfreq(samples.shape[1], 1 / 1000)
  local peak = freqs[spectrum:argmax()]
  return lunar.stack({mean, std, peak}):astype("float64")
end
