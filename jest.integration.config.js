module.exports = require('./jest.preset.js').jestConfig('integration');
